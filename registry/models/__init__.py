"""The registry's tables. Import from here so that every model is registered."""
from registry.models.admin import AdminAction, UploadJob
from registry.models.api_key import ApiKey
from registry.models.booking import BOOKING_STATES, Booking, BookingEvent, CapacityDay
from registry.models.capability import Capability, CapabilityMethod, CapabilityRange
from registry.models.change import Change, ChangeSet
from registry.models.demand import DemandCell, DemandLayer, OutsideSupply
from registry.models.district import District
from registry.models.facility import Accreditation, Facility
from registry.models.notification import CalendarFeed, Notification, OutboxMessage
from registry.models.unmet import UNMET_REASONS, UnmetDemand
from registry.models.user import ROLES, PendingRegistration, SignInFailure, User, operator_facilities

__all__ = ["Accreditation", "ApiKey", "Capability",
           "CapabilityMethod", "CapabilityRange", "Change", "ChangeSet", "District", "Facility", "ROLES", "User",
           "SignInFailure", "PendingRegistration", "operator_facilities",
           "BOOKING_STATES", "Booking", "BookingEvent", "CapacityDay",
           "CalendarFeed", "Notification", "OutboxMessage", "AdminAction", "UploadJob",
           "DemandCell", "DemandLayer", "OutsideSupply", "UNMET_REASONS", "UnmetDemand"]
