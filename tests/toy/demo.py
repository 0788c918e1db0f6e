from sqlalchemy.orm import Session

from majal.config import Settings
from majal.territory import service as territory
from tests.toy import service


def load(db: Session, _settings: Settings) -> bool:
    """One note naming the commune: the territory's demo data must be there first."""
    if service.count(db):
        return False
    commune = territory.overview(db).commune
    service.add(db, f"A note about {commune.name_fr if commune else '?'}")
    return True
