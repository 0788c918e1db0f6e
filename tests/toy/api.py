from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from majal.kit.validation import RowId
from majal.kit.web import DB
from tests.toy import service

router = APIRouter(prefix="/toy-api", tags=["toy"])


@router.get("/notes/{note_id}")
def note(db: DB, note_id: RowId) -> dict[str, str]:
    return {"text": service.note(db, note_id).text}


def errors(path: str, status_code: int, messages: list[str]) -> Response:
    """The toy's own error format."""
    return JSONResponse({"toy_errors": messages, "path": path}, status_code=status_code)
