#!/usr/bin/perl
# A CAS client driven by test_peers.py: Authen::CAS::Client against a live Préau.
#   cas_client.pl CAS_URL service_validate|proxy_validate SERVICE TICKET [PGT_URL]
#   cas_client.pl CAS_URL proxy PGT TARGET_SERVICE
# Prints one tab-separated line: "success USER PROXIES IOU", "ticket PT", "failure CODE" or
# "error MESSAGE".
use strict;
use warnings;
use Authen::CAS::Client;

my ( $cas_url, $command, @arguments ) = @ARGV;
my $cas = Authen::CAS::Client->new( $cas_url, fatal => 0 );

sub answer {
  my ( $response, $success ) = @_;
  if ( $response->is_success ) {
    print join( "\t", $success->($response) ), "\n";
  }
  elsif ( $response->is_failure ) {
    print join( "\t", 'failure', $response->code ), "\n";
  }
  else {
    print join( "\t", 'error', $response->error ), "\n";
  }
}

if ( $command eq 'proxy' ) {
  my ( $pgt, $target ) = @arguments;
  answer( $cas->proxy( $pgt, $target ), sub { ( 'ticket', $_[0]->proxy_ticket ) } );
}
else {
  my ( $service, $ticket, $pgt_url ) = @arguments;
  my %options = defined $pgt_url ? ( pgtUrl => $pgt_url ) : ();
  my $response =
      $command eq 'proxy_validate'
    ? $cas->proxy_validate( $service, $ticket, %options )
    : $cas->service_validate( $service, $ticket, %options );
  answer(
    $response,
    sub {
      my ($r) = @_;
      ( 'success', $r->user, join( ',', $r->proxies ), $r->iou // '' );
    }
  );
}
