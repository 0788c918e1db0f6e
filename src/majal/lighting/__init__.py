"""Public lighting: streetlights, cabinets, dimming programmes, energy, faults and work orders."""
