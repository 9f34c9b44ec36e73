from .roles import profile_of


def station_context(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    profile = profile_of(user)

    def unread():
        return user.notifications.filter(read_at__isnull=True).count()

    return {
        "staff_profile": profile,
        "unread_notifications": unread,
    }
