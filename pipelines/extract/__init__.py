"""Article extraction: pure functions from HTML to body text, metadata and recommendations.

No Scrapy, no database: ``extract_article(html, url)`` works on plain strings.
"""

from __future__ import annotations

from pipelines.extract.core import detect_platform, extract_article
from pipelines.extract.model import Extraction, NoBodyFound, Recommendation

__all__ = ["Extraction", "NoBodyFound", "Recommendation", "detect_platform", "extract_article"]
