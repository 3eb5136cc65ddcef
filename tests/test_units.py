import pytest

from skyspec.units import QuantityError, format_bytes, format_cpu, parse_bytes, parse_cpu


@pytest.mark.parametrize("text,millis", [("250m", 250), ("0.5", 500), (2, 2000), ("1.5", 1500), ("100m", 100),
                                         (0.25, 250), ("2k", 2_000_000)])
def test_cpu(text, millis):
    assert parse_cpu(text) == millis


@pytest.mark.parametrize("text,n", [("256Mi", 256 * 2**20), ("1Gi", 2**30), ("1G", 10**9), ("128974848", 128974848),
                                    ("129e6", 129_000_000), ("1.5Gi", 1536 * 2**20), (1024, 1024)])
def test_bytes(text, n):
    assert parse_bytes(text) == n


@pytest.mark.parametrize("bad,hint", [("256MB", "256Mi"), ("1gb", "1Gi"), ("2 GiB", "2Gi"), ("512mb", "512Mi")])
def test_invalid_quantities_suggest_the_kubernetes_spelling(bad, hint):
    with pytest.raises(QuantityError) as e:
        parse_bytes(bad)
    assert hint in e.value.hint


def test_cpu_finer_than_a_millicore_is_an_error():
    with pytest.raises(QuantityError):
        parse_cpu("0.0001")


def test_milli_bytes_are_refused():
    with pytest.raises(QuantityError) as e:
        parse_bytes("128m")
    assert "128Mi" in e.value.hint


@pytest.mark.parametrize("n,text", [(250, "250m"), (2000, "2"), (1500, "1500m")])
def test_format_cpu(n, text):
    assert format_cpu(n) == text
    assert parse_cpu(text) == n


@pytest.mark.parametrize("n", [2**30, 256 * 2**20, 10**9, 1536 * 2**20, 1000, 12345])
def test_format_bytes_round_trips(n):
    assert parse_bytes(format_bytes(n)) == n
