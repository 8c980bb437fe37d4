-- Which process noted a pending blob (`host:pid:boot`), so the next start on that host can sweep at
-- once what a crashed process left, instead of waiting out the grace period meant for live writers.
alter table pending_blobs add column owner text;
