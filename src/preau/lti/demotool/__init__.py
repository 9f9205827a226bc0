"""« Calcul mental », a small LTI 1.3 tool served by Préau itself for the demo and the tests.

It plays the part of an outside tool with a third-party library (pylti1p3's Django support):
the OIDC login initiation, the launch (a short exercise whose score goes back through the
Assignment and Grade Services), deep linking (the teacher picks an exercise set) and the class
roster shown to the teacher (Names and Role Provisioning Services). It talks to Préau only as
a tool does: the id_tokens it receives, and HTTP calls to Préau's key set, token and service
addresses. It is mounted under /lti-demo/ when ``settings.LTI_DEMO_TOOL`` is on (see
docs/lti.md); its RSA key is made on first use in the data folder, never in the repository.
"""
