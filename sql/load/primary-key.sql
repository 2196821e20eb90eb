-- The primary key constraint of github_stars (name already quoted), if any.
select quote_ident(conname) as name
from pg_constraint
where conrelid = 'github_stars'::regclass and contype = 'p';
