"""Booking pages."""

from django.urls import path

from scheduler.views import bookings, calendar, cart, devices, patchlist, power, schedule

urlpatterns = [
    path("", schedule.week_schedule, name="schedule"),
    path("cart/", cart.cart_page, name="cart"),
    path("cart/cells/", schedule.cart_add_cells, name="cart-add-cells"),
    path("cart/range/", cart.cart_add_range, name="cart-add-range"),
    path("cart/items/<int:index>/remove/", cart.cart_remove, name="cart-remove"),
    path("cart/clear/", cart.cart_clear, name="cart-clear"),
    path("cart/submit/", cart.cart_submit, name="cart-submit"),
    path("users/suggestions/", cart.user_suggestions, name="user-suggestions"),
    path("bookings/", bookings.my_bookings, name="my-bookings"),
    path("bookings/sessions/<int:pk>/cancel/", bookings.group_cancel, name="group-cancel"),
    path("bookings/sessions/<int:pk>/extend/", bookings.group_extend, name="group-extend"),
    path("bookings/sessions/<int:pk>/rebook/", bookings.group_rebook, name="group-rebook"),
    path("bookings/sessions/<int:pk>/collaborators/", bookings.group_collaborators, name="group-collaborators"),
    path("bookings/sessions/<int:pk>/favorite/", bookings.group_favorite, name="group-favorite"),
    path("bookings/<int:pk>/cancel/", bookings.booking_cancel_view, name="booking-cancel"),
    path("favorites/", bookings.favorites, name="favorites"),
    path("favorites/<int:pk>/book/", bookings.favorite_to_cart, name="favorite-to-cart"),
    path("favorites/<int:pk>/delete/", bookings.favorite_delete_view, name="favorite-delete"),
    path("devices/<int:pk>/", devices.device_detail, name="device"),
    path("devices/<int:pk>/attachments/<int:attachment_pk>/", devices.attachment_download, name="device-attachment"),
    path("devices/<int:pk>/calendar.ics", calendar.device_feed, name="device-calendar-feed"),
    path("patch-list/", patchlist.patch_list, name="patch-list"),
    path("power/", power.power_page, name="power"),
    path("power/outlets/<int:pk>/switch/", power.outlet_switch_page, name="power-outlet-switch"),
    path("calendar/", calendar.calendar_settings, name="calendar-settings"),
    path("calendar/regenerate/", calendar.calendar_key_regenerate, name="calendar-key-regenerate"),
    path("calendar/<str:key>.ics", calendar.personal_feed, name="calendar-feed"),
    path("calendar/<str:key>/devices/<int:pk>.ics", calendar.device_feed_by_key, name="device-calendar-feed-key"),
]
