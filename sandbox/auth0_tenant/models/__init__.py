"""The tenant's state and Auth0's rules for it, one module per resource, behind the one `Tenant` of `tenant.py`.

The Management API, the Authentication API and the admin routes all call these models; none of them keeps
state of its own or reaches another API's. As in moto's `models.py`, a model raises the service's own
errors (`exceptions.py`) and checks a request body the way Auth0's schema validation does before it changes
anything. Seed data (connections, users, roles, the tenant's own clients) is in `seeds.py`.
"""
