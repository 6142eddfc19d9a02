"""The pure column specs stay in step with the models they fill."""

from __future__ import annotations

import pytest

from ardesk.customers.models import Channel, ContactRole
from ardesk.imports import kinds
from ardesk.imports.report import Kind
from ardesk.imports.targets import TARGETS
from ardesk.ledger.models import PaymentMethod


def test_choices_repeat_the_models() -> None:
    assert dict(ContactRole.choices) == kinds.CONTACT_ROLES
    assert dict(Channel.choices) == kinds.CHANNELS
    assert dict(PaymentMethod.choices) == kinds.PAYMENT_METHODS


@pytest.mark.parametrize("kind", list(Kind))
def test_every_column_lands_in_a_field_of_its_model(kind: Kind) -> None:
    target = TARGETS[kind]
    fields = {f.attname for f in target.model._meta.concrete_fields}
    for column in target.spec.columns:
        ref = target.ref_for(column.name)
        landing = ref.field if ref else column.field
        assert landing is None or landing in fields, f"{kind}: {column.name} -> {landing}"
        if column.field is None and ref is None:
            assert column.name == "open_amount"  # the one column only derived values come from
    assert set(target.key_fields) <= fields and set(target.derived) <= fields
    max_lengths = {f.attname: f.max_length for f in target.model._meta.concrete_fields if f.max_length}
    for column in target.spec.columns:
        if isinstance(column.parse, kinds.TextCell) and column.field in max_lengths:
            assert column.parse.limit == max_lengths[column.field], column.name
