from homeward.prevention.tests.helpers import pw  # noqa: F401  (the fixture, shared by every test module here)
