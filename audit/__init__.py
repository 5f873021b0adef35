"""The audit: fixity of every original, archive-wide checks, the four-property report (四性检测)
and the offline verifier of exported originals. It reads every other package and writes only
fixity events and audit runs."""
