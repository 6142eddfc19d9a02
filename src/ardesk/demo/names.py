"""Countries, company names and people's names for the demo company's customers. Pure data."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Country:
    code: str
    currency: str
    language: str
    time_zone: str
    tax_rate: Decimal  # VAT/GST on B2B invoices (0 where the buyer accounts for the tax)
    weight: int  # share of customers
    suffixes: tuple[str, ...]  # legal forms
    cities: tuple[str, ...]
    phone: str  # country calling code
    word: str  # how a subsidiary in this country is named ("Deutschland", "France", …)


COUNTRIES: tuple[Country, ...] = (
    Country("DE", "EUR", "de", "Europe/Berlin", Decimal("0.19"), 18, ("GmbH", "AG", "GmbH & Co. KG"),
            ("Hamburg", "München", "Köln", "Stuttgart", "Leipzig"), "+49", "Deutschland"),
    Country("US", "USD", "en", "America/New_York", Decimal(0), 17, ("Inc.", "LLC", "Corp."),
            ("Chicago", "Boston", "Denver", "Atlanta", "Seattle"), "+1", "USA"),
    Country("GB", "GBP", "en", "Europe/London", Decimal("0.20"), 11, ("Ltd", "plc", "LLP"),
            ("Leeds", "Bristol", "Manchester", "Glasgow", "London"), "+44", "UK"),
    Country("FR", "EUR", "fr", "Europe/Paris", Decimal("0.20"), 10, ("SAS", "SA", "SARL"),
            ("Lyon", "Lille", "Nantes", "Toulouse", "Paris"), "+33", "France"),
    Country("NL", "EUR", "nl", "Europe/Amsterdam", Decimal("0.21"), 6, ("B.V.", "N.V."),
            ("Utrecht", "Rotterdam", "Eindhoven", "Groningen"), "+31", "Nederland"),
    Country("JP", "JPY", "ja", "Asia/Tokyo", Decimal("0.10"), 6, ("K.K.", "Co., Ltd."),
            ("Osaka", "Nagoya", "Yokohama", "Fukuoka", "Tokyo"), "+81", "Japan"),
    Country("CH", "CHF", "de", "Europe/Zurich", Decimal("0.081"), 5, ("AG", "SA", "GmbH"),
            ("Zürich", "Basel", "Bern", "Lausanne"), "+41", "Schweiz"),
    Country("SE", "SEK", "sv", "Europe/Stockholm", Decimal("0.25"), 5, ("AB",),
            ("Göteborg", "Malmö", "Uppsala", "Stockholm"), "+46", "Sverige"),
    Country("ES", "EUR", "es", "Europe/Madrid", Decimal("0.21"), 5, ("S.L.", "S.A."),
            ("Valencia", "Sevilla", "Bilbao", "Madrid"), "+34", "España"),
    Country("IT", "EUR", "it", "Europe/Rome", Decimal("0.22"), 5, ("S.r.l.", "S.p.A."),
            ("Torino", "Bologna", "Verona", "Milano"), "+39", "Italia"),
    Country("AT", "EUR", "de", "Europe/Vienna", Decimal("0.20"), 4, ("GmbH", "AG"),
            ("Graz", "Linz", "Wien"), "+43", "Österreich"),
    Country("BE", "EUR", "fr", "Europe/Brussels", Decimal("0.21"), 4, ("NV", "SRL"),
            ("Antwerpen", "Gent", "Liège"), "+32", "Belgium"),
    Country("IE", "EUR", "en", "Europe/Dublin", Decimal("0.23"), 4, ("Ltd", "DAC"),
            ("Cork", "Galway", "Dublin"), "+353", "Ireland"),
)

STEMS = (
    "Aurora", "Baltic", "Beacon", "Birchwood", "Blue Harbor", "Brightline", "Cardinal", "Cascade", "Cedar",
    "Clearwater", "Cobalt", "Copperleaf", "Crescent", "Delta", "Eastgate", "Ember", "Evergreen", "Fairfield",
    "Falcon", "Fjord", "Foxglove", "Granite", "Greenfield", "Harbor", "Helix", "Highland", "Horizon", "Ironwood",
    "Juniper", "Keystone", "Lakeside", "Lindenhof", "Lumen", "Maple", "Meridian", "Millbrook", "Nordlicht",
    "Northwind", "Oakridge", "Orion", "Pinnacle", "Polaris", "Quarry", "Redwood", "Ridgeway", "Riverbend",
    "Rosenthal", "Sakura", "Sandstone", "Silverline", "Solstice", "Sterling", "Stonebridge", "Summit",
    "Sunflower", "Tamarack", "Tidewater", "Trident", "Valley", "Vantage", "Vega", "Westbrook", "Willow",
    "Windmill", "Zenith",
)

TRADES = (
    "Logistics", "Foods", "Retail", "Engineering", "Pharma", "Construction", "Textiles", "Electronics",
    "Automotive", "Packaging", "Hospitality", "Healthcare", "Energy", "Chemicals", "Furniture", "Printing",
    "Software", "Machinery", "Beverages", "Hardware", "Optics", "Plastics", "Supplies", "Marine", "Agritech",
    "Robotics", "Biotech", "Media", "Outdoor", "Ceramics",
)

FIRST_NAMES = (
    "Alex", "Amelia", "Ana", "Ben", "Camille", "Carlos", "Chloe", "David", "Elena", "Emma", "Erik", "Fatima",
    "Felix", "Grace", "Hannah", "Hiro", "Ines", "Isabel", "Jack", "Johan", "Julia", "Karin", "Kenji", "Lars",
    "Laura", "Leon", "Lina", "Lucas", "Maria", "Mateo", "Mia", "Noah", "Nora", "Olivia", "Oscar", "Paul",
    "Priya", "Rafael", "Sara", "Sven", "Theo", "Tom", "Yuki", "Zoe",
)

LAST_NAMES = (
    "Andersson", "Bauer", "Becker", "Bernard", "Brown", "Costa", "Dubois", "Fischer", "Garcia", "Hansen",
    "Hoffmann", "Ito", "Jansen", "Johnson", "Kato", "Klein", "Larsen", "Laurent", "Lopez", "Martin", "Meyer",
    "Moreau", "Muller", "Nakamura", "Nilsson", "O'Brien", "Peeters", "Richter", "Romano", "Sato", "Schmidt",
    "Schneider", "Smith", "Suzuki", "Taylor", "Thomas", "van Dijk", "Wagner", "Walsh", "Williams", "Wolf",
)

SALES_REPS = ("Hanna Vogel", "Marc Dupont", "Sarah Miller", "Kenta Mori", "Lucia Ferri", "Oliver Grant",
              "Eva Lund", "Tomás Ruiz")
