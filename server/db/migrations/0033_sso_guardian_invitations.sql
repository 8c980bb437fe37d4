-- Issue 11 §4: a guardian accepts an invitation with their own Google or Microsoft account. The sign-in on its
-- way through the provider carries the invitation's code as its SHA-256 only (as the link code), so that the
-- code never travels in a URL or a log; the callback accepts the invitation with the identity that came back.
alter table sso_logins add column invitation_code_hash text check (invitation_code_hash is null or length(invitation_code_hash) = 64);
alter table sso_logins add constraint sso_logins_one_purpose check (link_code_hash is null or invitation_code_hash is null);
-- The hourly sweep deletes expired link codes by their expiry.
create index sso_link_codes_expires_idx on sso_link_codes (expires_at);
-- An identity linked by accepting an invitation signs its guardian in whatever the schools chose for the
-- provider (guardians are in no school's directory); every other link goes through the schools' modes.
alter table user_identities add column via_invitation boolean not null default false;
