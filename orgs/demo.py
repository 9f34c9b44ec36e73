def seed_orgs(station, rng):
    return []
