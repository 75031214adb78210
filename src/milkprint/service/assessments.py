"""The service's functions under their old address: new code imports from the aggregate modules instead.

Kept so that the doors (api/, web/, cli.py) and the tests that import `milkprint.service.assessments` keep working
while they move; it defines nothing. Where each thing lives:

- `service.actor`: `Actor`, who acts (organisation, user, client), the one value every function below takes;
- `service.organisations`: organisations and users (`create_organisation`, `create_user`, `clean_username`);
- `service.plants`: plants, products and meters;
- `service.uploads`: `parse_upload`, `ParsedUpload`, `canonical_zip`, `MAX_UPLOAD`;
- `service.versions`: assessments and their versions (create, add a version, rename, approve, read);
- `service.runs`: running an assessment, its results and check findings;
- `service.common`: what they share (paging, ownership by organisation, flush, the output formats).

The rules every function follows (the caller's transaction, scoping by the actor's organisation, row versions) are stated in
`service.common` and `service.versions`.
"""

from __future__ import annotations

from milkprint.service.actor import Actor
from milkprint.service.common import (
    LABEL_FORMATS,
    MAX_PAGE,
    REPORT_FORMATS,
    LabelFormat,
    ReportFormat,
    format_of,
)
from milkprint.service.organisations import (
    USERNAME_LENGTH,
    USERNAME_REFUSED,
    USERNAME_TAKEN,
    clean_username,
    create_organisation,
    create_user,
)
from milkprint.service.plants import (
    create_plant,
    get_plant,
    list_meters,
    list_plants,
    list_products,
    update_plant,
)
from milkprint.service.runs import (
    add_version_and_run,
    check_findings,
    create_and_run,
    get_result,
    latest_result,
    latest_result_id,
    run_assessment,
)
from milkprint.service.uploads import MAX_UPLOAD, ParsedUpload, canonical_zip, parse_upload
from milkprint.service.versions import (
    add_version,
    approve,
    create_assessment,
    get_assessment,
    get_version,
    list_assessments,
    list_versions,
    update_title,
)

__all__ = [
    "LABEL_FORMATS",
    "MAX_PAGE",
    "MAX_UPLOAD",
    "REPORT_FORMATS",
    "USERNAME_LENGTH",
    "USERNAME_REFUSED",
    "USERNAME_TAKEN",
    "Actor",
    "LabelFormat",
    "ParsedUpload",
    "ReportFormat",
    "add_version",
    "add_version_and_run",
    "approve",
    "canonical_zip",
    "check_findings",
    "clean_username",
    "create_and_run",
    "create_assessment",
    "create_organisation",
    "create_plant",
    "create_user",
    "format_of",
    "get_assessment",
    "get_plant",
    "get_result",
    "get_version",
    "latest_result",
    "latest_result_id",
    "list_assessments",
    "list_meters",
    "list_plants",
    "list_products",
    "list_versions",
    "parse_upload",
    "run_assessment",
    "update_plant",
    "update_title",
]
