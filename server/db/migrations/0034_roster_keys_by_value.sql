-- A roster import checks whether a learner id, user name or e-mail it would write already belongs to an
-- account at another school (one school's roster must not plant another school's pupil's key on an account
-- it controls: school sign-in would then link that pupil to it). That look-up is by kind and value across
-- schools; the primary key (school_id, kind, value) cannot serve it.
create index roster_keys_kind_value_idx on roster_keys (kind, value);
