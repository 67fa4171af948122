"""The therapist's own profile editor: sections saved separately, server-side drafts, and
edits of a published profile held for review (revisions). docs/architecture.md, "The editor"."""
