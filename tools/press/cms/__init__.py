"""The writers' desk in the browser (Decap CMS): what the build writes into ``admin/`` is made by
:mod:`press.site.admin`, named here for the commands and :mod:`press.cms.local` (the local backend).
"""

from ..site.admin import (
    BRANCH_RE as BRANCH_RE,
    DECAP_INTEGRITY as DECAP_INTEGRITY,
    DECAP_SCRIPT as DECAP_SCRIPT,
    DECAP_VERSION as DECAP_VERSION,
    FILES as FILES,
    REPO_RE as REPO_RE,
    Settings as Settings,
    collection as collection,
    config as config,
    config_yml as config_yml,
    description as description,
    files as files,
    index_html as index_html,
    press_js as press_js,
)
