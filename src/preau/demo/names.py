"""Common French names for the demo population.

Children's first names follow the births of the 2010s, adults' those of the 1970s and 1980s, so
that a family looks like a family. Last names are among the most frequent in France.
"""


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


GIRLS = _names(
    """
    Emma, Jade, Louise, Alice, Chloé, Lina, Rose, Anna, Mila, Inès, Ambre, Julia, Mia, Léna,
    Manon, Juliette, Lou, Zoé, Camille, Agathe, Jeanne, Lucie, Éva, Nina, Sarah, Romane, Inaya,
    Charlotte, Léonie, Romy, Adèle, Iris, Louna, Sofia, Margaux, Victoire, Lola, Alix, Clémence,
    Gabrielle, Olivia, Capucine, Elena, Giulia, Apolline, Mathilde, Lana, Héloïse, Clara, Maëlys,
    Louane, Océane, Lisa, Élise, Marie, Justine, Anaïs, Noémie, Margot, Lilou, Éloïse, Constance,
    Salomé, Elsa, Maëlle, Valentine, Yasmine, Amira, Célia, Lyna, Naëlle, Assia, Kenza, Maryam,
    Thaïs, Luna, Nour, Emy, Victoria, Cassandre, Bérénice, Alicia, Maya, Eden, Aya, Lila, Candice,
    Axelle, Lucile, Mélina, Sacha, Nora, Anaé, Albane, Ninon, Garance, Suzanne, Marguerite,
    Céleste, Emmy, Lya,
    """
)

BOYS = _names(
    """
    Gabriel, Léo, Raphaël, Arthur, Louis, Jules, Adam, Maël, Lucas, Liam, Gabin, Sacha, Paul,
    Nathan, Aaron, Mohamed, Ethan, Tom, Léon, Noé, Tiago, Théo, Isaac, Marius, Victor, Martin,
    Naël, Mathis, Axel, Robin, Timéo, Enzo, Marceau, Valentin, Nino, Eliott, Nolan, Malo, Milo,
    Antoine, Samuel, Augustin, Amir, Lenny, Yanis, Baptiste, Clément, Maxime, Alexandre, Thomas,
    Romain, Quentin, Mathéo, Kylian, Evan, Rayan, Ilyes, Bastien, Simon, Côme, Joseph, Oscar,
    Basile, Achille, Félix, Timothée, Rafael, Soan, Ibrahim, Youssef, Ismaël, Noam, Mehdi, Sami,
    Adrien, Lilian, Corentin, Benjamin, Esteban, Gaspard, Lorenzo, Elias, Ewen, Owen, Titouan,
    Erwan, Loan, Hugo, Noah, Pierre, Charles, Édouard, Nils, Ayoub, Anas, Wassim, Kenzo, Alban,
    Tristan, Aurèle,
    """
)

WOMEN = _names(
    """
    Nathalie, Isabelle, Sandrine, Stéphanie, Valérie, Céline, Sophie, Aurélie, Caroline, Virginie,
    Delphine, Laetitia, Audrey, Julie, Élodie, Mélanie, Karine, Christelle, Hélène, Claire, Anne,
    Cécile, Florence, Agnès, Émilie, Laure, Marie, Camille, Émeline, Amandine, Sabrina, Fatima,
    Nadia, Samia, Leïla, Myriam, Sonia, Naïma, Khadija, Malika, Vanessa, Jessica, Séverine,
    Magali, Carole, Patricia, Corinne, Sylvie, Catherine, Béatrice, Anne-Sophie, Marie-Laure,
    Véronique, Pascale, Muriel, Gaëlle, Marion, Pauline, Charlotte, Mathilde, Alexandra, Élise,
    Ingrid, Estelle, Fanny, Aline, Christine, Laurence, Sarah, Ophélie, Perrine, Bérengère, Anaïs,
    Coralie, Solène, Lucie, Morgane, Johanna, Aude, Mélissa,
    """
)

MEN = _names(
    """
    Nicolas, Julien, Sébastien, Christophe, Stéphane, David, Frédéric, Laurent, Olivier, Thomas,
    Guillaume, Jérôme, Vincent, Mathieu, Cédric, Alexandre, Pierre, Philippe, Éric, François,
    Arnaud, Fabrice, Franck, Emmanuel, Damien, Benoît, Ludovic, Jean, Yann, Grégory, Anthony,
    Romain, Xavier, Bruno, Patrice, Thierry, Pascal, Hervé, Didier, Rachid, Mehdi, Samir, Farid,
    Mourad, Sofiane, Nabil, Hakim, Yannick, Sylvain, Jean-Marc, Jean-Luc, Marc, Michel, Alain,
    Gilles, Denis, Lionel, Gaël, Aurélien, Mickaël, Jonathan, Fabien, Jérémy, Loïc, Raphaël,
    Antoine, Maxime, Benjamin, Florent, Rémi, Bertrand, Hugues, Régis, Joël, Serge, Karim, Cyril,
    Matthieu, Samuel, Tristan,
    """
)

LAST_NAMES = _names(
    """
    Martin, Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Laurent, Simon,
    Michel, Lefebvre, Leroy, Roux, David, Bertrand, Morel, Fournier, Girard, Bonnet, Dupont,
    Lambert, Fontaine, Rousseau, Vincent, Muller, Lefèvre, Faure, André, Mercier, Blanc, Guérin,
    Boyer, Garnier, Chevalier, François, Legrand, Gauthier, Garcia, Perrin, Robin, Clément, Morin,
    Nicolas, Henry, Roussel, Mathieu, Gautier, Masson, Marchand, Duval, Denis, Dumont, Marie,
    Lemaire, Noël, Meyer, Dufour, Meunier, Brun, Blanchard, Giraud, Joly, Rivière, Lucas, Brunet,
    Gaillard, Barbier, Arnaud, Martinez, Gérard, Roche, Renard, Schmitt, Roy, Leroux, Colin,
    Vidal, Caron, Picard, Roger, Fabre, Aubert, Lemoine, Renaud, Dumas, Lacroix, Olivier,
    Philippe, Bourgeois, Pierre, Benoît, Rey, Leclerc, Payet, Rolland, Leclercq, Guillaume,
    Lecomte, Lopez, Jean, Dupuy, Guillot, Hubert, Berger, Carpentier, Sanchez, Dupuis, Louis,
    Deschamps, Huet, Vasseur, Perez, Boucher, Fleury, Royer, Klein, Jacquet, Adam, Paris, Poirier,
    Marty, Aubry, Guyot, Carré, Charles, Renault, Charpentier, Ménard, Maillard, Baron, Bertin,
    Bailly, Hervé, Schneider, Fernandez, Le Gall, Collet, Léger, Bouvier, Julien, Prévost, Millet,
    Perrot, Daniel, Le Roux, Cousin, Germain, Breton, Besson, Langlois, Rémy, Le Goff, Pelletier,
    Lévêque, Perrier, Leblanc, Barré, Lebrun, Marchal, Weber, Mallet, Hamon, Boulanger, Jacob,
    Monnier, Michaud, Rodriguez, Guichard, Gillet, Étienne, Grondin, Poulain, Tessier, Chevallier,
    Collin, Chauvin, Da Silva, Bouchet, Gay, Lemaître, Bénard, Maréchal, Humbert, Reynaud,
    Antoine, Hoarau, Perret, Barthélemy, Cordier, Pichon, Lejeune, Gilbert, Lamy, Delaunay,
    Pasquier, Carlier, Laporte, Haddad, Mansouri, Diallo, Traoré, Nguyen, Ferreira, Rodrigues, Dos
    Santos, Pereira, Cohen, Benhamou, Bensaïd, Kaya, Camara, Tran, Ollivier, Rivet, Bouvet,
    Chartier,
    """
)
