-- attribution_status and attributed_carrier_id agree: single and multiple name a carrier,
-- none names none; a multiple event's carrier is one of those that held the enterprise.
select *
from {{ ref('attributed_events') }}
where (attribution_status = 'none') <> (attributed_carrier_id is null)
