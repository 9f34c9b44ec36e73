def seed_partybuild(station, rng):
    return []
