/** The French vocabulary the demo CRM is drawn from: trades, surnames, towns, products. */

/** Customer names the clients CSV export shares with the CRM, so that matching across sources finds them. */
export const SHARED_CUSTOMER_NAMES = [
  'Dupont SARL',
  'Boulangerie Martin',
  'Garage des Alpes',
  'Pharmacie du Centre',
  'Menuiserie Leroy',
] as const;

/** Accented customer names and the variants a second, careless entry gave them (same company, other spelling). */
export const DUPLICATED_CUSTOMERS: readonly {
  readonly name: string;
  readonly variants: readonly string[];
}[] = [
  { name: 'Société Générale Bâtiment', variants: ['SOCIETE GENERALE BATIMENT', 'societe generale batiment'] },
  { name: 'Pâtisserie Lefèvre', variants: ['PATISSERIE LEFEVRE'] },
  { name: 'Électricité Générale du Rhône', variants: ['Electricite Generale du Rhone'] },
  { name: 'Hôtel de la Gare', variants: ['HOTEL DE LA GARE'] },
  { name: 'Garage Müller', variants: ['GARAGE MULLER'] },
];

/** Trades that open a company name. */
export const TRADES = [
  'Boulangerie',
  'Boucherie',
  'Brasserie',
  'Cabinet',
  'Café',
  'Charcuterie',
  'Ébénisterie',
  'Électricité',
  'Établissements',
  'Fromagerie',
  'Garage',
  'Imprimerie',
  'Librairie',
  'Maçonnerie',
  'Menuiserie',
  'Pâtisserie',
  'Pharmacie',
  'Plomberie',
  'Quincaillerie',
  'Serrurerie',
  'Transports',
  'Vins et Spiritueux',
] as const;

/** Family names, for company names and contacts. */
export const SURNAMES = [
  'André',
  'Bernard',
  'Bertrand',
  'Blanc',
  'Bonnet',
  'Chevalier',
  'David',
  'Dubois',
  'Durand',
  'Faure',
  'Fournier',
  'François',
  'Garnier',
  'Girard',
  'Guérin',
  'Lambert',
  'Laurent',
  'Lefebvre',
  'Legrand',
  'Mercier',
  'Michel',
  'Moreau',
  'Morel',
  'Perrin',
  'Petit',
  'Renaud',
  'Richard',
  'Robert',
  'Rousseau',
  'Roux',
  'Simon',
  'Thomas',
  'Vincent',
] as const;

/** Given names of contacts. */
export const GIVEN_NAMES = [
  'Anne',
  'Bruno',
  'Camille',
  'Céline',
  'Christophe',
  'Élodie',
  'François',
  'Hélène',
  'Isabelle',
  'Jean',
  'Jérôme',
  'Julie',
  'Laurent',
  'Marie',
  'Nathalie',
  'Nicolas',
  'Olivier',
  'Philippe',
  'Sandrine',
  'Sophie',
  'Stéphane',
  'Thierry',
  'Valérie',
  'Yves',
] as const;

/** Endings of company names. */
export const NAME_ENDINGS = [
  '',
  '',
  '',
  ' SARL',
  ' SAS',
  ' & Fils',
  ' Frères',
  ' et Associés',
  ' EURL',
] as const;

/** Towns with their postal code and phone area digit; many codes start with 0, which legacy tools love to drop. */
export const TOWNS: readonly { readonly city: string; readonly postalCode: string; readonly area: string }[] =
  [
    { city: 'Bourg-en-Bresse', postalCode: '01000', area: '4' },
    { city: 'Laon', postalCode: '02000', area: '3' },
    { city: 'Moulins', postalCode: '03000', area: '4' },
    { city: 'Digne-les-Bains', postalCode: '04000', area: '4' },
    { city: 'Gap', postalCode: '05000', area: '4' },
    { city: 'Nice', postalCode: '06000', area: '4' },
    { city: 'Privas', postalCode: '07000', area: '4' },
    { city: 'Charleville-Mézières', postalCode: '08000', area: '3' },
    { city: 'Troyes', postalCode: '10000', area: '3' },
    { city: 'Marseille', postalCode: '13001', area: '4' },
    { city: 'Besançon', postalCode: '25000', area: '3' },
    { city: 'Nîmes', postalCode: '30000', area: '4' },
    { city: 'Toulouse', postalCode: '31000', area: '5' },
    { city: 'Grenoble', postalCode: '38000', area: '4' },
    { city: 'Saint-Étienne', postalCode: '42000', area: '4' },
    { city: 'Orléans', postalCode: '45000', area: '2' },
    { city: 'Lyon', postalCode: '69003', area: '4' },
    { city: 'Chambéry', postalCode: '73000', area: '4' },
    { city: 'Annecy', postalCode: '74000', area: '4' },
    { city: 'Paris', postalCode: '75011', area: '1' },
    { city: 'Évry-Courcouronnes', postalCode: '91000', area: '1' },
  ];

/** Street names for addresses. */
export const STREETS = [
  'rue de la République',
  'avenue Jean Jaurès',
  'rue Victor Hugo',
  'place du Marché',
  'boulevard Gambetta',
  'rue des Écoles',
  'chemin des Vignes',
  'route de Lyon',
  'rue du Général de Gaulle',
  'impasse des Tilleuls',
] as const;

/** Roles of contacts inside a customer. */
export const CONTACT_ROLES = [
  'Gérant',
  'Comptable',
  'Acheteur',
  'Secrétariat',
  'Directeur technique',
] as const;

/** Free-mail domains contacts use instead of the company's. */
export const MAIL_DOMAINS = ['orange.fr', 'wanadoo.fr', 'free.fr', 'gmail.com', 'laposte.net'] as const;

/** Product families and items; a label is `<item> <variant>`. */
export const PRODUCTS: readonly { readonly item: string; readonly vatRate: number }[] = [
  { item: 'Farine T65 25 kg', vatRate: 5.5 },
  { item: 'Levure fraîche 500 g', vatRate: 5.5 },
  { item: 'Café en grains 1 kg', vatRate: 5.5 },
  { item: 'Huile moteur 5W30 5 L', vatRate: 20 },
  { item: 'Liquide de frein DOT4', vatRate: 20 },
  { item: 'Vis inox 4x40 (boîte de 200)', vatRate: 20 },
  { item: 'Charnière laiton', vatRate: 20 },
  { item: 'Planche chêne 27 mm', vatRate: 20 },
  { item: 'Gants nitrile (boîte de 100)', vatRate: 20 },
  { item: 'Ramette papier A4', vatRate: 20 },
  { item: 'Cartouche encre noire', vatRate: 20 },
  { item: 'Sac kraft 30x40', vatRate: 20 },
  { item: 'Disjoncteur 16 A', vatRate: 20 },
  { item: 'Câble R2V 3G2,5 (couronne 50 m)', vatRate: 20 },
  { item: 'Robinet thermostatique', vatRate: 20 },
  { item: 'Tube cuivre 14 mm (barre 2 m)', vatRate: 20 },
  { item: 'Vin rouge AOC Côtes-du-Rhône', vatRate: 20 },
  { item: 'Plateau de fromages', vatRate: 5.5 },
  { item: 'Prestation de livraison', vatRate: 20 },
  { item: 'Forfait main-d’œuvre (heure)', vatRate: 10 },
];

/** Variants that turn an item into several products. */
export const PRODUCT_VARIANTS = ['', ' — lot de 5', ' — lot de 10', ' (promo)'] as const;

/** Order statuses as the legacy screens spelled them. */
export const ORDER_STATUSES = ['livrée', 'livrée', 'livrée', 'facturée', 'en cours', 'annulée'] as const;
