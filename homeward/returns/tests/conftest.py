from homeward.returns.tests.helpers import rw  # noqa: F401  (the fixture, shared by every test module here)
