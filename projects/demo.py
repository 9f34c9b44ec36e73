def seed_projects(station, rng):
    return []
