"""Keep ``search_vector`` up to date on every write, in the database, so that
bulk writes, the admin and the services all stay searchable (Dutch stemming;
title weighs most)."""

from django.db import migrations

SQL = """
CREATE FUNCTION marketplace_assignment_search_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('dutch', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('dutch', coalesce(NEW.place, '')), 'B') ||
    setweight(to_tsvector('dutch', coalesce(NEW.description, '')), 'C');
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER marketplace_assignment_search_trigger
BEFORE INSERT OR UPDATE OF title, place, description ON marketplace_assignment
FOR EACH ROW EXECUTE FUNCTION marketplace_assignment_search_update();

CREATE FUNCTION marketplace_offer_search_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('dutch', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('dutch', coalesce(NEW.description, '')), 'C');
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER marketplace_offer_search_trigger
BEFORE INSERT OR UPDATE OF title, description ON marketplace_offer
FOR EACH ROW EXECUTE FUNCTION marketplace_offer_search_update();
"""

REVERSE = """
DROP TRIGGER IF EXISTS marketplace_assignment_search_trigger ON marketplace_assignment;
DROP FUNCTION IF EXISTS marketplace_assignment_search_update();
DROP TRIGGER IF EXISTS marketplace_offer_search_trigger ON marketplace_offer;
DROP FUNCTION IF EXISTS marketplace_offer_search_update();
"""


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
