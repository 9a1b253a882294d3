# Image for the web process and the worker (see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic only reads settings; the database URL is a placeholder that is never contacted.
RUN DATABASE_URL=postgres://build@localhost/build SECRET_KEY=build-only \
    python manage.py collectstatic --no-input
RUN useradd --system --home /app app && mkdir -p /data/media /data/static \
    && chown app /data/media /data/static
USER app
ENV MEDIA_ROOT=/data/media
EXPOSE 8000
CMD ["gunicorn", "imr_archive.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
