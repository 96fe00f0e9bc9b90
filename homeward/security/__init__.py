"""Response headers, upload checks and the tests that hold the security baseline's hardening items.

docs/security.md lists each baseline ID (P15–P18, DEP-1…4, REL-5) with the test that proves it.
"""
