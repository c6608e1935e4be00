from geo.synthetic import demo_features


def test_demo_data_is_the_same_every_time() -> None:
    assert demo_features() == demo_features()
    assert demo_features(seed=1) != demo_features(seed=2)
