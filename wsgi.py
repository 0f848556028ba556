"""WSGI entry point: gunicorn wsgi:app"""

from katilim import create_app

app = create_app()
