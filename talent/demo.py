def seed_talent(station, rng):
    return []
