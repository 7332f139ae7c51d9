"""The vocabulary of the demo data: weights, places, organisation name patterns and the
sentences contributions are assembled from. Data only; app.demo.generator uses it."""

from __future__ import annotations

from app.organisations.models import OrganisationType as T

DEPTH_WEIGHTS = {1: 40, 2: 26, 3: 15, 4: 8, 5: 5, 6: 3, 7: 2, 8: 1}
POSITION_WEIGHTS = {"support": 40, "support_with_amendments": 30, "oppose": 15, "neutral": 15}
TYPE_WEIGHTS = {
    T.CIVIL_SOCIETY: 24,
    T.DIASPORA: 18,
    T.GOVERNMENT: 15,
    T.REGIONAL_LOCAL_AUTHORITY: 8,
    T.ACADEMIA_RESEARCH: 8,
    T.INTERNATIONAL: 7,
    T.EMPLOYERS_BUSINESS: 7,
    T.TRADE_UNION: 6,
    T.OTHER: 4,
}

#: Country (ISO alpha-2) → Faker locale for people's names, real cities; grouped by region.
EUROPE = {
    "FR": ("fr_FR", "Paris,Lyon,Marseille"),
    "NL": ("nl_NL", "Amsterdam,Rotterdam,Utrecht"),
    "BE": ("nl_BE", "Brussels,Antwerp,Ghent"),
    "DE": ("de_DE", "Berlin,Hamburg,Cologne"),
    "ES": ("es_ES", "Madrid,Barcelona,Seville"),
    "PT": ("pt_PT", "Lisbon,Porto"),
    "IT": ("it_IT", "Rome,Milan,Turin"),
    "IE": ("en_IE", "Dublin,Cork"),
    "SE": ("sv_SE", "Stockholm,Malmö"),
    "PL": ("pl_PL", "Warsaw,Kraków"),
    "AT": ("de_AT", "Vienna,Graz"),
    "GB": ("en_GB", "London,Manchester"),
}
ELSEWHERE = {
    "SN": ("fr_FR", "Dakar,Thiès"),
    "MA": ("fr_DZ", "Rabat,Casablanca"),
    "NG": ("en_NG", "Lagos,Abuja"),
    "GH": ("tw_GH", "Accra,Kumasi"),
    "KE": ("en_KE", "Nairobi,Mombasa"),
    "ZA": ("zu_ZA", "Durban"),
    "ML": ("fr_FR", "Bamako"),
    "CM": ("fr_FR", "Yaoundé,Douala"),
    "PH": ("en_PH", "Manila,Cebu"),
    "IN": ("en_IN", "New Delhi,Mumbai,Kochi"),
    "PK": ("en_PK", "Lahore,Karachi"),
    "ID": ("id_ID", "Jakarta"),
    "VN": ("vi_VN", "Hanoi"),
    "TR": ("tr_TR", "Istanbul,Ankara"),
    "MX": ("es_MX", "Mexico City,Guadalajara"),
    "CO": ("es_CO", "Bogotá,Medellín"),
    "BR": ("pt_BR", "São Paulo,Recife"),
    "AR": ("es_AR", "Buenos Aires"),
    "CL": ("es_CL", "Santiago"),
}
PLACES = {**EUROPE, **ELSEWHERE}
ORG_TEMPLATES = {
    T.GOVERNMENT: (
        "Ministry of Foreign Affairs, {country}",
        "Ministry of Labour, {country}",
        "Ministry of Diaspora Affairs, {country}",
        "Development Cooperation Agency, {country}",
    ),
    T.REGIONAL_LOCAL_AUTHORITY: ("City of {city}", "Municipality of {city}", "{city} Regional Council"),
    T.CIVIL_SOCIETY: (
        "{city} Migrant Support Network",
        "{name} Foundation",
        "Association for Migrants' Rights {city}",
        "{city} Refugee Welcome Centre",
        "Women on the Move {city}",
    ),
    T.DIASPORA: (
        "{origin} Diaspora Association of {city}",
        "{origin} Community Network {city}",
        "Diaspora Development Forum {origin}–{city}",
    ),
    T.INTERNATIONAL: ("{name} Centre for Migration Policy", "International Observatory on Mobility, {city}"),
    T.TRADE_UNION: ("{city} General Workers' Union", "Domestic Workers' Union of {country}"),
    T.EMPLOYERS_BUSINESS: ("{company}", "{city} Chamber of Commerce"),
    T.ACADEMIA_RESEARCH: ("University of {city}", "{name} Institute for Migration Studies"),
    T.OTHER: ("{name} Family Network", "Friends of {city}"),
}
SENTENCES = (
    "Remittance costs on many corridors into Sub-Saharan Africa still exceed 8%, far above the 3% we should aim for.",
    "Lowering the cost of sending money home puts billions back into the hands of families, at no cost to budgets.",
    "Mobile money can cut remittance costs, but only if regulators give fair access to payment systems.",
    "Diaspora bonds and investment funds deserve guarantees from development banks to lower the perceived risk.",
    "Diaspora associations already finance schools and clinics; treat them as development partners, not only donors.",
    "Brain drain in the health sector remains serious: some countries lose most of the nurses they train.",
    "The WHO Code of Practice on the recruitment of health personnel should be applied by every member state.",
    "Recognising qualifications obtained abroad is slow and costly; skilled migrants end up in low-skilled jobs.",
    "Mutual recognition agreements between countries of origin and destination would reduce brain waste.",
    "Circular migration only works if people can leave and come back without losing their residence rights.",
    "Multiple-entry visas for researchers, entrepreneurs and seasonal workers would make circular migration real.",
    "Trafficking in human beings must be tackled with countries of origin and transit, victims' protection first.",
    "Victims of trafficking need shelter, legal aid and a residence permit that does not depend on testifying.",
    "The human rights of migrants apply whatever their legal status; the key message should say so explicitly.",
    "Migrants in an irregular situation must have access to emergency health care, and their children to school.",
    "Climate change and environmental degradation already displace people, mostly within their own region.",
    "Migration as adaptation and planned relocation belong in national climate adaptation plans.",
    "We lack reliable, disaggregated data on migration between developing countries; without it policy is guesswork.",
    "National statistics offices need support to add migration questions to censuses and labour force surveys.",
    "Labour mobility partnerships should involve employers and trade unions from the start, not only ministries.",
    "Ethical recruitment means that workers never pay recruitment fees: the employer pays.",
    "Portable social security and pension rights are essential; returning home must not erase years of contributions.",
    "Social security agreements between the EU and partner countries are still the exception rather than the rule.",
    "South–South migration is larger than migration to OECD countries and deserves equal attention after 2015.",
    "The post-2015 framework should recognise migration as an enabler of development, with measurable targets.",
    "Policy coherence for development means trade, agriculture and migration policies must not undermine each other.",
    "Local authorities are where integration happens; they need a voice and resources in national strategies.",
    "Return and reintegration last longer when returnees can use the skills and savings they bring back.",
    "Financial literacy for migrants and their families helps turn remittances into savings and investment.",
    "Women migrants, especially domestic workers, face specific risks and should be covered by ILO Convention 189.",
    "Unaccompanied minors on the move need guardianship and child protection that work across borders.",
    "Refugees in protracted situations should have the right to work so that they can support the host economy.",
    "Host communities in developing countries carry most of the burden of displacement and need long-term support.",
    "Visa facilitation for students and researchers strengthens knowledge links between Europe and its partners.",
    "Public debate on migration is too often driven by fear; evidence on migrants' contribution must be shared better.",
    "Diaspora entrepreneurs struggle to get credit both where they live and in their country of origin.",
    "Pre-departure information and orientation reduce the risk of exploitation and of unrealistic expectations.",
    "Cooperation on border management must never come at the expense of the right to seek asylum.",
    "The Global Forum on Migration and Development should stay open to migrant and diaspora organisations.",
    "Regional free-movement schemes, such as the ECOWAS protocol, show how mobility supports integration.",
    "We support the direction of this key message but would like stronger language on implementation.",
    "The text should name concrete commitments and a timeline, or it remains a statement of intent.",
)
LIST_LEADS = ("We propose the following changes:", "In particular:", "Our members raised three points:")
REPLY_OPENERS = (
    "I agree.",
    "Thank you for raising this.",
    "From our experience in the field:",
    "I would nuance this.",
    "Respectfully, I disagree.",
    "Building on this point:",
    "Our members report the same.",
    "",
)
