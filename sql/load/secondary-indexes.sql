-- Every other index on github_stars, with the DDL to rebuild it after the bulk COPY.
select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as definition
from pg_index
where indrelid = 'github_stars'::regclass and not indisprimary;
