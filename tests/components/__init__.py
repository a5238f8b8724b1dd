"""Tests of the components, the stack program and the operator tool, under Pulumi's mocks."""
