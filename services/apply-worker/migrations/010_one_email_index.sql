-- One email index instead of two (issue 21: a first import builds every user index after its load, and
-- each costs a sort of the whole table). user_email_prefix_idx (migration 007) is lower(email) in the "C"
-- collation, whose equality is byte equality like the database's own (a deterministic collation), so
-- lookup-service's exact email match (`lower(email) COLLATE "C" = $1`) probes it as it probed this one.
DROP INDEX user_email_idx;
