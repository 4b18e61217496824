"""The product catalogue (the same for every chunk of a run)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .arrays import fixed_strings, take
from .catalogues import BRANDS, CATEGORIES
from .settings import CatalogueSettings


@dataclass(frozen=True)
class Catalogue:
    product_ids: pa.Array
    names: pa.Array
    categories: pa.Array  # category name per product
    price_cents: np.ndarray
    popularity: np.ndarray  # sampling probability per product
    product_json: list[str]  # {"product_id": ..., "category": ...} per product

    @property
    def size(self) -> int:
        return len(self.price_cents)


def make_catalogue(seed: int, settings: CatalogueSettings) -> Catalogue:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    products = settings.products
    category_names = list(CATEGORIES)
    category = np.arange(products) % len(category_names)
    noun = rng.integers(0, 3, products)
    brand = rng.integers(0, len(BRANDS), products)
    numbers = np.arange(1, products + 1)
    ids = fixed_strings("p", (numbers, 4))
    names = [f"{BRANDS[b]} {CATEGORIES[category_names[c]][k]} {i:03d}"
             for b, c, k, i in zip(brand, category, noun, numbers)]
    price = np.maximum(settings.min_price_cents,
                       np.round(rng.lognormal(np.log(settings.price_median), settings.price_sigma, products) * 100))
    popularity = 1.0 / np.arange(1, products + 1) ** settings.popularity_exponent
    popularity = rng.permutation(popularity / popularity.sum())
    product_json = [json.dumps({"product_id": product_id, "category": category_names[c]})
                    for product_id, c in zip(ids.to_pylist(), category)]
    return Catalogue(ids, pa.array(names), take(category_names, category), price.astype(np.int64), popularity,
                     product_json)
