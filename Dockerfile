FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# Dependencies first, so code changes do not reinstall them.
COPY requirements/base.txt ./requirements/
RUN pip install --upgrade pip && pip install --require-hashes -r requirements/base.txt
COPY . .
RUN for dir in locale */locale; do \
      if [ -d "$dir" ]; then pybabel compile --use-fuzzy --statistics -D django -d "$dir"; fi; \
    done \
 && DJANGO_SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=build-only python manage.py collectstatic --noinput \
 && useradd --create-home app && mkdir -p /app/media && chown app /app/media
USER app
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
