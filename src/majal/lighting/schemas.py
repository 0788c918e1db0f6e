"""Shapes of public lighting's messages and forms."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class LampState(BaseModel):
    """What a lamp's controller publishes on `majal/lighting/lamps/{pole number}/state`."""

    model_config = ConfigDict(extra="ignore", strict=True)

    on: bool
    level: float = Field(ge=0, le=100, description="Light level, percent of full output")
    power_w: float = Field(ge=0, le=5000, description="Power drawn, W")
    at: AwareDatetime = Field(strict=False, description="When the controller measured it (ISO 8601 with a time zone)")
