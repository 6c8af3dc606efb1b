"""suites/gate/thresholds.toml: the real file loads; a broken one names the file and the field."""

from pathlib import Path

import pytest

from suites.gate import config

GOOD = '''
[instr]
max_increase_pct = 1.0
reason = "exact counts"

[instr.bench."router.github_all/native"]
max_increase_pct = 2.5
reason = "a noisy one"

[ratio]
max_ratio = 1.10
reason = "10% matters"
rounds = 30
quick_rounds = 16
confidence = 0.95
resamples = 2000
seed = 1

[[ratio.floor]]
name = "x"
base = "{python} -c 'print(1)'"
head = ["{python}", "-c", "print(3)"]
min_ratio = 2
reason = "because"
'''


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "thresholds.toml"
    p.write_text(text)
    return p


def test_the_repository_file_loads():
    cfg = config.load()
    assert cfg.instr_default.max_increase_pct > 0 and cfg.instr_default.reason
    assert cfg.ratio is not None and cfg.ratio.max_ratio > 1 and cfg.ratio.rounds % 2 == 0
    assert cfg.ratio.quick_rounds % 2 == 0


def test_per_benchmark_override_and_default(tmp_path):
    cfg = config.load(write(tmp_path, GOOD))
    assert cfg.instr_threshold("router.github_all/native").max_increase_pct == 2.5
    assert cfg.instr_threshold("gate.spin/calibrated").max_increase_pct == 1.0
    assert cfg.floors[0].base == ["{python}", "-c", "print(1)"]
    assert cfg.floors[0].head == ["{python}", "-c", "print(3)"]
    assert cfg.floors[0].min_ratio == 2.0 and cfg.floors[0].quick is False


@pytest.mark.parametrize("old,new,field", [
    ('reason = "exact counts"\n', "", "instr.reason"),
    ('reason = "exact counts"', 'reason = "  "', "instr.reason"),
    ("max_increase_pct = 1.0", 'max_increase_pct = "1%"', "instr.max_increase_pct"),
    ("max_increase_pct = 2.5", "max_increase_pct = -1", 'instr.bench."router.github_all/native".max_increase_pct'),
    ("max_ratio = 1.10", "max_ratio = true", "ratio.max_ratio"),
    ("rounds = 30", "", "ratio.rounds"),
    ("confidence = 0.95", "confidence = 95", "ratio.confidence"),
    ('head = ["{python}", "-c", "print(3)"]', "head = []", "ratio.floor[0].head"),
    ('reason = "because"', "", "ratio.floor[0].reason"),
    ("[ratio]", "[ratioo]", "ratio.max_ratio"),  # keys land in [ratioo]: ratio has none
    ("[instr]", "[instrr]", "instr.max_increase_pct"),
])
def test_a_broken_file_names_file_and_field(tmp_path, old, new, field):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(config.ConfigError) as info:
        config.load(path)
    assert info.value.field == field
    assert str(path) in str(info.value) and field in str(info.value)


def test_a_syntax_error_names_the_file(tmp_path):
    path = write(tmp_path, GOOD + "\n[instr\n")
    with pytest.raises(config.ConfigError) as info:
        config.load(path)
    assert str(path) in str(info.value) and "(syntax)" in str(info.value)


def test_a_missing_file_names_it(tmp_path):
    with pytest.raises(config.ConfigError) as info:
        config.load(tmp_path / "nope.toml")
    assert "nope.toml" in str(info.value)
