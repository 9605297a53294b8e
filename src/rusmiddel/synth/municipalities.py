"""The 98 Danish municipalities (slug, name, approximate population 2024): the synthetic
national dataset weights each municipality's volume by its population."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kommune:
    slug: str  # a standard id: æ → ae, ø → oe, å → aa, '-' → '_' (as the real `helsingoer`)
    name: str
    population: int


_ROWS = """
koebenhavn|København|660000
aarhus|Aarhus|370000
aalborg|Aalborg|222000
odense|Odense|207000
vejle|Vejle|121000
esbjerg|Esbjerg|115000
frederiksberg|Frederiksberg|104000
randers|Randers|99000
viborg|Viborg|98000
silkeborg|Silkeborg|98000
koege|Køge|63000
horsens|Horsens|97000
kolding|Kolding|95000
herning|Herning|90000
roskilde|Roskilde|90000
naestved|Næstved|84000
slagelse|Slagelse|80000
gentofte|Gentofte|75000
holbaek|Holbæk|73000
soenderborg|Sønderborg|73000
hjoerring|Hjørring|64000
gladsaxe|Gladsaxe|70000
helsingoer|Helsingør|63000
guldborgsund|Guldborgsund|60000
frederikshavn|Frederikshavn|58000
skanderborg|Skanderborg|64000
holstebro|Holstebro|59000
svendborg|Svendborg|59000
aabenraa|Aabenraa|58000
hilleroed|Hillerød|52000
haderslev|Haderslev|55000
lyngby_taarbaek|Lyngby-Taarbæk|56000
ringkoebing_skjern|Ringkøbing-Skjern|56000
frederikssund|Frederikssund|46000
fredericia|Fredericia|52000
vordingborg|Vordingborg|45000
kalundborg|Kalundborg|48000
hvidovre|Hvidovre|54000
greve|Greve|51000
faaborg_midtfyn|Faaborg-Midtfyn|51000
hoeje_taastrup|Høje-Taastrup|56000
ballerup|Ballerup|52000
varde|Varde|50000
rudersdal|Rudersdal|57000
favrskov|Favrskov|49000
mariagerfjord|Mariagerfjord|42000
ikast_brande|Ikast-Brande|42000
syddjurs|Syddjurs|44000
furesoe|Furesø|41000
middelfart|Middelfart|39000
fredensborg|Fredensborg|41000
egedal|Egedal|44000
vesthimmerland|Vesthimmerland|36000
toender|Tønder|37000
jammerbugt|Jammerbugt|38000
thisted|Thisted|43000
broenderslev|Brønderslev|36000
gribskov|Gribskov|41000
odsherred|Odsherred|33000
lolland|Lolland|40000
nyborg|Nyborg|32000
ringsted|Ringsted|36000
hedensted|Hedensted|47000
skive|Skive|46000
norddjurs|Norddjurs|37000
assens|Assens|41000
bornholm|Bornholm|39000
halsnaes|Halsnæs|32000
rebild|Rebild|31000
faxe|Faxe|37000
vejen|Vejen|43000
taarnby|Tårnby|43000
soroe|Sorø|30000
lejre|Lejre|29000
kerteminde|Kerteminde|24000
albertslund|Albertslund|28000
roedovre|Rødovre|41000
billund|Billund|27000
herlev|Herlev|30000
lemvig|Lemvig|19000
struer|Struer|21000
odder|Odder|23000
glostrup|Glostrup|24000
ishoej|Ishøj|24000
stevns|Stevns|23000
broendby|Brøndby|39000
nordfyns|Nordfyns|29000
alleroed|Allerød|26000
morsoe|Morsø|20000
solroed|Solrød|24000
vallensbaek|Vallensbæk|17000
dragoer|Dragør|15000
langeland|Langeland|12000
aeroe|Ærø|6000
samsoe|Samsø|3700
fanoe|Fanø|3500
laesoe|Læsø|1800
hoersholm|Hørsholm|25000
""".strip().splitlines()

KOMMUNER: tuple[Kommune, ...] = tuple(
    Kommune(slug, name, int(pop)) for slug, name, pop in (line.split("|") for line in _ROWS)
)
