"""Knowledge base: the search index of HD Article kept in the site's database, who sees what,
and the deflection log. Thin adapters around ``techsolutions_support.core.search``."""
