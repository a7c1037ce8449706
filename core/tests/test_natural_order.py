"""natural_key: digits compare as numbers, text without regard to case."""

from core.natural_order import natural_key


def test_numbers_compare_as_numbers():
    """EDFA 2 comes before EDFA 10, and EDFA 10 before EDFA 11."""
    names = ["EDFA 10", "EDFA 2", "EDFA 11", "EDFA 1", "edfa 3"]
    assert sorted(names, key=natural_key) == ["EDFA 1", "EDFA 2", "edfa 3", "EDFA 10", "EDFA 11"]


def test_mixed_names_and_several_numbers():
    """Text and number parts alternate, so any two names compare (no str/int mix-up)."""
    names = ["roadm_10_p2", "roadm_2_p10", "roadm_2_p2", "roadm", "10", "", "roadm_2"]
    assert sorted(names, key=natural_key) == ["", "10", "roadm", "roadm_2", "roadm_2_p2", "roadm_2_p10", "roadm_10_p2"]
