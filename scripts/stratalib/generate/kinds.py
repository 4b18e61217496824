"""Enumerations of the generator: each member's value is its code in the numpy arrays, and
`names(Enum)` gives the strings written to the raw tables in code order."""

from __future__ import annotations

from enum import IntEnum

import numpy as np


def names(kind: type[IntEnum]) -> tuple[str, ...]:
    """The raw-table spelling of every member, in code order (the member name in lower case)."""
    return tuple(member.name.lower() for member in kind)


class OrderStatus(IntEnum):
    PAID = 0
    COMPLETED = 1
    CANCELLED = 2
    REFUNDED = 3


class Platform(IntEnum):
    APP = 0
    MINI_PROGRAM = 1
    WEB = 2
    STORE = 3


class Gender(IntEnum):
    FEMALE = 0
    MALE = 1
    NOT_GIVEN = 2  # written as null


class EventName(IntEnum):
    APP_OPEN = 0
    PAGE_VIEW = 1
    SEARCH = 2
    PRODUCT_VIEW = 3
    ADD_TO_CART = 4
    CHECKOUT_START = 5
    ORDER_PAID = 6
    REGISTER = 7
    LOGIN = 8
    SHARE = 9
    REVIEW = 10


class Page(IntEnum):
    HOME = 0
    CATEGORY = 1
    PROMO = 2
    SEARCH_RESULTS = 3
    ACCOUNT = 4
    SEARCH = 5
    PRODUCT_DETAIL = 6
    CHECKOUT = 7
    ORDER_CONFIRMATION = 8
    REGISTER = 9
    LOGIN = 10
    ORDER_REVIEW = 11


NO_PAGE = -1  # store events have no page; in EVENT_PAGE: a random browse page
BROWSE_PAGES = (Page.HOME, Page.CATEGORY, Page.PROMO, Page.SEARCH_RESULTS, Page.ACCOUNT)
EVENT_PAGE = np.array([  # page of each event name, by EventName code
    Page.HOME,  # app_open
    NO_PAGE,  # page_view: one of BROWSE_PAGES
    Page.SEARCH,
    Page.PRODUCT_DETAIL,  # product_view
    Page.PRODUCT_DETAIL,  # add_to_cart
    Page.CHECKOUT,
    Page.ORDER_CONFIRMATION,
    Page.REGISTER,
    Page.LOGIN,
    Page.PRODUCT_DETAIL,  # share
    Page.ORDER_REVIEW,
])
PRODUCT_EVENTS = (EventName.PRODUCT_VIEW, EventName.ADD_TO_CART, EventName.SHARE, EventName.REVIEW)


class SessionKind(IntEnum):
    ANONYMOUS = 0  # before sign-up, no user_id
    REGISTER = 1  # the sign-up session, anonymous until the register event
    ORDER = 2  # ends in order_paid
    BROWSE = 3


class Slot(IntEnum):
    """The fixed slots of a session; a session's events appear in slot order."""

    OPENER = 0
    LOGIN = 1
    REGISTER = 2
    BROWSE = 3
    VIEW = 4
    CART = 5
    CHECKOUT = 6
    PAID = 7
    SHARE = 8
    REVIEW = 9


NO_EVENT = -1  # slots whose event name is drawn
SLOT_EVENT = np.array([NO_EVENT, EventName.LOGIN, EventName.REGISTER, NO_EVENT, EventName.PRODUCT_VIEW,
                       EventName.ADD_TO_CART, EventName.CHECKOUT_START, EventName.ORDER_PAID, EventName.SHARE,
                       EventName.REVIEW])


class TestGroup(IntEnum):
    TREATMENT = 0
    CONTROL = 1
    CREATIVE_A = 2  # the variants of catalogues.VARIANT_TEST
    CREATIVE_B = 3


class TargetLayer(IntEnum):
    AT_RISK = 0
    NEW = 1
    ACTIVE = 2
    ALL_USERS = 3  # the creative test's audience


class Audience(IntEnum):
    """The planted campaigns, by position in catalogues.CAMPAIGNS."""

    WINBACK = 0
    NUDGE = 1
    CREATIVE = 2  # catalogues.VARIANT_TEST, not in CAMPAIGNS
