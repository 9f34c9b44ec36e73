def orgs_section(person, user):
    return None
