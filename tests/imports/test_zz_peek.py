import pytest
from tests.imports.test_engine_parity import BAD_FILES, _both, world  # noqa
@pytest.mark.django_db
@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_peek(world, write, kind):
    (python, _), (sql, _) = _both(kind, write(f"{kind}.csv", BAD_FILES[kind]), world, lambda: None)
    print("\n==", kind)
    for r in sql["rejections"]: print("  ", r["row"], r["column"], repr(r["value"]), "-", r["reason"])
