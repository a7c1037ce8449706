"""The patch-list parser (no database)."""

import pytest

from scheduler.patchlist import PatchListError, label_suggestions, labels_of, patch_list_parse


def test_python_literal_tuples():
    assert patch_list_parse("[('tf_1', 'roadm_10_p2'), ('roadm_10_line','reel_3')]") == [
        ("tf_1", "roadm_10_p2"), ("roadm_10_line", "reel_3"),
    ]


def test_json_pairs_and_single_pair():
    assert patch_list_parse('[["tf_1", "roadm_10_p2"]]') == [("tf_1", "roadm_10_p2")]
    assert patch_list_parse('["tf_1", "roadm_10_p2"]') == [("tf_1", "roadm_10_p2")]


def test_paths_split_into_consecutive_pairs_and_null_dropped():
    """A path of three labels is two connections; "NULL" entries are ignored like the lab's scripts do."""
    assert patch_list_parse("[('roadm_10_line', 'reel_3', 'roadm_11_line'), ('NULL', 'tf_2', 'osa_1')]") == [
        ("roadm_10_line", "reel_3"), ("reel_3", "roadm_11_line"), ("tf_2", "osa_1"),
    ]


@pytest.mark.parametrize("text", [
    "tf_1 roadm_10_p2\nroadm_10_line reel_3",
    "tf_1,roadm_10_p2\n\nroadm_10_line, reel_3\n",
    "tf_1 -> roadm_10_p2\n  roadm_10_line <-> reel_3  # spool",
    "('tf_1', 'roadm_10_p2')\n('roadm_10_line', 'reel_3')",
])
def test_one_pair_per_line(text):
    assert patch_list_parse(text) == [("tf_1", "roadm_10_p2"), ("roadm_10_line", "reel_3")]


def test_duplicates_kept_once():
    assert patch_list_parse("a b\na b") == [("a", "b")]


@pytest.mark.parametrize("text", ["", "   ", "just_one_label", "[1, 2]", "__import__('os').system('x') y"])
def test_garbage_is_refused_with_a_message(text):
    """Anything that is not pairs of labels is refused, and nothing is evaluated."""
    with pytest.raises(PatchListError):
        patch_list_parse(text)


def test_labels_in_first_seen_order():
    assert labels_of([("b", "a"), ("a", "c")]) == ["b", "a", "c"]


def test_close_match_suggestions_ignore_case():
    assert set(label_suggestions("ROADM_10_P3", ["roadm_10_p2", "tf_1", "roadm_11_p3"])) == {"roadm_10_p2", "roadm_11_p3"}
    assert label_suggestions("zzz", ["tf_1"]) == []
