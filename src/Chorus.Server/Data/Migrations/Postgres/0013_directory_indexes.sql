-- The directory at the size of a real organization (bench/findings.md, seventeenth session: 100,000 generated people
-- with departments and a manager tree).
-- The directory lists people alphabetically (search_text, then id) a page at a time; without an index every page read
-- and sorted all of them (~28 ms on SQLite). In this order a page reads its 30 rows and stops.
CREATE INDEX ix_people_search ON people (search_text, id);
-- The department filter's head counts group everyone by department, leaving out deactivated people; with
-- deactivated_at in the index the count reads the index alone, not every person's row (~30 ms before).
DROP INDEX IF EXISTS ix_people_department;
CREATE INDEX ix_people_department ON people (department, deactivated_at);
