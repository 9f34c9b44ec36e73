"""The volunteers' mobile web (/v/) and the check-in screen for workers.

A volunteer reads only their own rows: everything loads through volunteers.selectors with the signed-in
volunteer, so another volunteer's id in the URL is a 404.
"""

import uuid
from datetime import date
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from station import services as station_services
from station.pagecache import cached_page, keep_for

from . import permissions, rules, selectors, services
from .forms import CertificateForm, SignInForm, WorkerCheckinForm
from .models import LedgerEntry, SignUp

VOLUNTEER_BACKEND = "volunteers.backends.VolunteerBackend"


def volunteer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        volunteer = selectors.volunteer_of(request.user)
        if volunteer is None:
            return redirect(f"{reverse('volunteers:login')}?next={request.get_full_path()}")
        request.volunteer = volunteer
        return view(request, *args, **kwargs)

    return wrapper


def _error(request, exc: ValidationError):
    messages.error(request, " ".join(exc.messages))


def qr_svg(text: str, scale: int = 6) -> str:
    return segno.make_qr(text, error="m").svg_inline(scale=scale, omitsize=True)


# Signing in ----------------------------------------------------------------------------------------------


@never_cache
def sign_in(request):
    if selectors.volunteer_of(request.user) is not None:
        return redirect("volunteers:home")
    form = SignInForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request=request, username=form.cleaned_data["phone"], password=form.cleaned_data["password"]
        )
        if user is not None and selectors.volunteer_of(user) is not None:
            login(request, user, backend=VOLUNTEER_BACKEND)
            if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                return redirect(next_url)
            return redirect("volunteers:home")
        form.add_error(None, _("The phone number or password is wrong."))
    return render(request, "volunteers/sign_in.html", {"form": form, "next": next_url})


@require_POST
def sign_out(request):
    logout(request)
    return redirect("volunteers:login")


# The volunteer's pages -----------------------------------------------------------------------------------


def _own_pages_key(request, *args, **kwargs):
    return selectors.own_pages_key(request.volunteer, request.user)


@volunteer_required
@cached_page(_own_pages_key)
def home(request):
    volunteer = request.volunteer
    signups = selectors.coming_signups(volunteer, 5)
    response = render(
        request,
        "volunteers/home.html",
        {"volunteer": volunteer, **selectors.volunteer_summary(volunteer), "signups": signups},
    )
    if signups:  # a shift leaves the list when it ends
        keep_for(response, (min(s["ends_at"] for s in signups) - timezone.now()).total_seconds())
    return response


@volunteer_required
@cached_page(_own_pages_key)
def ledger(request):
    page = selectors.ledger_page(
        request.volunteer, before=request.GET.get("before"), after=request.GET.get("after")
    )
    # Each kind's label translated once a page, each day the local date: not the template's filters a row.
    kinds = {kind: str(label) for kind, label in LedgerEntry.Kind.choices}
    for entry in page:
        entry.kind_label = kinds.get(entry.kind, entry.kind)
        entry.day = timezone.localdate(entry.created_at).isoformat()
    return render(request, "volunteers/ledger.html", {"volunteer": request.volunteer, "page": page})


@volunteer_required
def hours(request):
    page = Paginator(selectors.service_records_for(request.volunteer), 30).get_page(request.GET.get("page"))
    return render(request, "volunteers/hours.html", {"page": page})


@volunteer_required
def activities(request):
    volunteer = request.volunteer
    mine = set(
        SignUp.objects.filter(volunteer=volunteer, status=SignUp.Status.SIGNED_UP).values_list(
            "shift_id", flat=True
        )
    )
    shifts = list(selectors.open_shifts_for(volunteer)[:50])
    return render(request, "volunteers/activities.html", {"shifts": shifts, "mine": mine})


@volunteer_required
def shift_detail(request, pk):
    volunteer = request.volunteer
    shift = selectors.shift_get_for_volunteer(volunteer, pk)
    signup = SignUp.objects.filter(shift=shift, volunteer=volunteer, status=SignUp.Status.SIGNED_UP).first()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel" and signup:
                services.signup_cancel(signup=signup, actor=request.user)
                messages.success(request, _("Your sign-up is cancelled."))
            elif request.POST.get("action") == "signup":
                _signup, warnings = services.signup_create(
                    volunteer=volunteer, shift=shift, actor=request.user
                )
                messages.success(request, _("You are signed up. Thank you!"))
                for warning in warnings:
                    messages.warning(request, warning)
        except ValidationError as exc:
            _error(request, exc)
        return redirect("volunteers:shift", pk=shift.pk)
    return render(
        request,
        "volunteers/shift.html",
        {
            "shift": shift,
            "signup": signup,
            "left": max(0, shift.places - shift.taken),
            "missing": rules.signup_missing_requirements(volunteer, shift.volunteer_activity),
        },
    )


@volunteer_required
def checkin(request, shift_pk, token):
    volunteer = request.volunteer
    shift = selectors.shift_get_for_volunteer(volunteer, shift_pk)
    if request.method == "POST":
        try:
            action, _signup = services.checkin_by_qr(
                volunteer=volunteer,
                shift=shift,
                token=token,
                actor=request.user,
                step=request.POST.get("step", ""),
            )
        except ValidationError as exc:
            _error(request, exc)
            return redirect("volunteers:home")
        if action == "in":
            messages.success(request, _("Checked in. Thank you for coming!"))
        else:
            messages.success(request, _("Checked out. Your hours are waiting for approval."))
        return redirect("volunteers:home")
    valid = rules.qr_token_is_valid(shift, token)
    signup = SignUp.objects.filter(shift=shift, volunteer=volunteer, status=SignUp.Status.SIGNED_UP).first()
    checking_out = bool(signup and signup.checked_in_at and not signup.checked_out_at)
    return render(
        request, "volunteers/checkin.html", {"shift": shift, "valid": valid, "checking_out": checking_out}
    )


@volunteer_required
def rewards(request):
    return render(
        request,
        "volunteers/rewards.html",
        {"rewards": selectors.rewards_for(request.volunteer), "balance": request.volunteer.points_balance},
    )


@volunteer_required
def reward_detail(request, pk):
    volunteer = request.volunteer
    if request.method == "POST":
        # The service reads the reward under its lock (a reward of another station is not available to her).
        try:
            redemption = services.redemption_place(
                volunteer=volunteer,
                reward=pk,
                idempotency_key=request.POST.get("key", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            _error(request, exc)
            return redirect("volunteers:reward", pk=pk)
        messages.success(request, _("Redeemed. Show the pickup code when you collect it."))
        return redirect("volunteers:redemption", pk=redemption.pk)
    reward = selectors.reward_get_for_volunteer(volunteer, pk)
    return render(
        request,
        "volunteers/reward.html",
        {
            "reward": reward,
            "problem": permissions.reward_available_for(reward, volunteer),
            "balance": volunteer.points_balance,
        },
    )


@volunteer_required
def reward_confirm(request, pk):
    """The step before a redemption is placed: the points now and after it, then one button that places it
    (posting to the reward with a fresh request key, so a double tap still redeems once)."""
    volunteer = request.volunteer
    reward = selectors.reward_get_for_volunteer(volunteer, pk)
    balance = volunteer.points_balance
    return render(
        request,
        "volunteers/reward_confirm.html",
        {
            "reward": reward,
            "problem": permissions.reward_available_for(reward, volunteer),
            "key": uuid.uuid4().hex,
            "balance": balance,
            "after": balance - reward.points_price,
        },
    )


@volunteer_required
def reminders(request):
    """The volunteer's reminders, inside the volunteer pages, with one button to mark them all read."""
    if request.method == "POST":
        station_services.notification_mark_read(user=request.user)
        return redirect("volunteers:reminders")
    notifications = list(request.user.notifications.all()[:100])
    return render(request, "volunteers/reminders.html", {"notifications": notifications})


@volunteer_required
def redemptions(request):
    return render(
        request,
        "volunteers/redemptions.html",
        {"redemptions": selectors.redemptions_for(request.volunteer)[:100]},
    )


@volunteer_required
def redemption_detail(request, pk):
    redemption = selectors.redemption_get_for_volunteer(request.volunteer, pk)
    return render(
        request,
        "volunteers/redemption.html",
        {"redemption": redemption, "qr": qr_svg(redemption.pickup_code, scale=8)},
    )


@volunteer_required
def certificate(request):
    volunteer = request.volunteer
    today = timezone.localdate()
    form = CertificateForm(
        request.POST or None, initial={"period_start": date(today.year, 1, 1), "period_end": today}
    )
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.certificate_issue(
                volunteer=volunteer,
                period_start=form.cleaned_data["period_start"],
                period_end=form.cleaned_data["period_end"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("volunteers:certificate_detail", number=issued.number)
    return render(
        request,
        "volunteers/certificate_form.html",
        {"form": form, "certificates": volunteer.certificates.all()[:20]},
    )


@volunteer_required
def certificate_detail(request, number):
    cert = selectors.certificate_get_for_volunteer(request.volunteer, number)
    verify_url = request.build_absolute_uri(reverse("volunteers:verify", args=[cert.number]))
    return render(
        request,
        "volunteers/certificate.html",
        {
            "cert": cert,
            "person": cert.volunteer.person,
            "qr": qr_svg(verify_url, scale=3),
            "verify_url": verify_url,
        },
    )


@never_cache
def verify(request, number):
    """Public: is this certificate number genuine? Name, masked ID, hours and station only."""
    cert = selectors.certificate_verify(number)
    return render(
        request, "volunteers/verify.html", {"cert": cert, "number": number}, status=200 if cert else 404
    )


# The worker's check-in screen ----------------------------------------------------------------------------


@never_cache
def shift_screen(request, pk):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('admin:login')}?next={request.get_full_path()}")
    shift = selectors.shift_get_for_staff(request.user, pk)
    form = WorkerCheckinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "checkout":
                signup = SignUp.objects.get(pk=request.POST.get("signup"), shift=shift)
                services.checkout(signup=signup, actor=request.user)
                messages.success(request, _("%(name)s checked out.") % {"name": signup.volunteer.person.name})
            else:
                signup = services.checkin_by_worker(
                    shift=shift, query=form.cleaned_data["query"], actor=request.user
                )
                messages.success(request, _("%(name)s checked in.") % {"name": signup.volunteer.person.name})
        except (ValidationError, SignUp.DoesNotExist, ValueError) as exc:
            if isinstance(exc, ValidationError):
                _error(request, exc)
            else:
                messages.error(request, _("No such sign-up."))
        return redirect("volunteers:shift_screen", pk=shift.pk)
    token = rules.qr_token_now(shift)
    url = request.build_absolute_uri(reverse("volunteers:checkin", args=[shift.pk, token]))
    signups = shift.signups.filter(status=SignUp.Status.SIGNED_UP).select_related("volunteer__person")
    return render(
        request,
        "volunteers/shift_screen.html",
        {
            "shift": shift,
            "qr": qr_svg(url, scale=8),
            "url": url,
            "signups": signups,
            "form": WorkerCheckinForm(),
        },
    )
