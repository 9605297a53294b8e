"""The citizen's rights over their data: the art. 15 export (`selectors.citizen_export`) and
erasure when the standard's retention period has run out (`services.retention_run`).

No models of its own: it walks the other apps' models from `Citizen` and `Case` (`graph`).
"""
