"""Arguments that several components take the same way: declared once, and so one config key each."""

from functools import partial

from ..inputs import checks
from ..inputs.settings import Setting

AUTHENTICATE_SERVICE_URL = Setting(partial(checks.https_url, example="https://authenticate.example.com"))
"""Pomerium's authenticate service URL: the web application's login URI, and Pomerium's own setting."""
IDP_PROVIDER_URL = Setting(partial(checks.https_url, example="https://login.example.com"))
"""The URL users log in through: the tenant's own domain, or a custom login domain."""
NAMESPACE = Setting(partial(checks.dns_label, example="pomerium"))
"""The Kubernetes namespace the component's objects go to."""
PROTECT = Setting(checks.boolean, default=False)
"""`protect` on what cannot be recreated without signing users out or changing credentials."""
