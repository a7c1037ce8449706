"""Booking pages."""

from django.urls import path

from scheduler.views import bookings, calendar, cart, devices, patchlist, schedule, topologies

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
    path("topologies/", topologies.topology_list, name="topologies"),
    path("topologies/new/", topologies.topology_new, name="topology-new"),
    path("topologies/from-patch-list/", topologies.topology_from_patch_list, name="topology-from-patch-list"),
    path("topologies/<int:pk>/", topologies.topology_edit, name="topology"),
    path("topologies/<int:pk>/alternatives/", topologies.topology_alternatives, name="topology-alternatives"),
    path("topologies/<int:pk>/override/", topologies.topology_override, name="topology-override"),
    path("topologies/<int:pk>/copy/", topologies.topology_copy_view, name="topology-copy"),
    path("topologies/<int:pk>/delete/", topologies.topology_delete_view, name="topology-delete"),
    path("bookings/sessions/<int:pk>/topology/", topologies.topology_from_session, name="topology-from-session"),
    path("calendar/", calendar.calendar_settings, name="calendar-settings"),
    path("calendar/regenerate/", calendar.calendar_key_regenerate, name="calendar-key-regenerate"),
    path("calendar/<str:key>.ics", calendar.personal_feed, name="calendar-feed"),
    path("calendar/<str:key>/devices/<int:pk>.ics", calendar.device_feed_by_key, name="device-calendar-feed-key"),
]
