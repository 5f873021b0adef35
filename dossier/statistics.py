"""档案统计: placeholder, filled by the statistics work."""
